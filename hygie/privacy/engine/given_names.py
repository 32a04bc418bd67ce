"""Common given names (France, US) used as a name cue: "Jean Dupont" without "M." before it.

Source: Faker's fr_FR and en_US person providers (MIT). Names that are also common words or
surnames (May, Grace, Martin, Thomas...) are left out to limit false positives.
"""

GIVEN_NAMES: frozenset[str] = frozenset(
    """
    Aaron Abigail Adam Adrian Adriana Adrien Adrienne Adèle Adélaïde Agathe Agnès Aimee Aimée
    Alain Alan Albert Alec Alejandra Alejandro Alex Alexa Alexander Alexandra Alexandre
    Alexandria Alexandrie Alexis Alfred Alice Alicia Alisha Alison Alix Allen Allison Alphonse
    Alvin Alyssa Amanda Amber Amy Amélie Ana Anastasie Anaïs Andre Andrea Andres Andrew André
    Andrée Angel Angela Angelica Angie Anita Ann Anna Anne Annette Anouk Anthony Antoine
    Antoinette Antonio Ariana Ariel Arnaude Arthur Ashlee Ashley Astrid Audrey Auguste Augustin
    Aurore Aurélie Austin Autumn Bailey Barbara Barry Becky Belinda Benjamin Benoît Bernadette
    Bertrand Beth Bethany Betty Beverly Bianca Billy Blake Bob Bobby Bonnie Brad Bradley Brady
    Brandi Brandon Brandy Breanna Brenda Brendan Brent Brett Brian Briana Brianna Bridget
    Brigitte Brittany Brittney Brooke Bruce Bryan Bryce Caitlin Caitlyn Caleb Calvin Cameron
    Camille Candace Candice Capucine Carl Carla Carlos Carly Carmen Caroline Carolyn Carrie
    Casey Cassandra Cassidy Cassie Catherine Cathy Cesar Chad Chantal Charlene Charles Charlotte
    Chelsea Chelsey Cheryl Cheyenne Chloe Chris Christelle Christiane Christie Christina
    Christine Christophe Christopher Christy Cindy Claire Clarence Claude Claudia Claudine
    Clayton Clifford Clinton Clémence Cody Cole Colette Colin Colleen Collin Colton Connie
    Connor Corey Corinne Cory Courtney Craig Cristian Cristina Crystal Curtis Cynthia Cécile
    Célina Céline Daisy Dakota Dalton Damon Dan Dana Daniel Danielle Danny Darin Darius Darlene
    Darrell Darren Darryl Daryl Dave David Dean Deanna Debbie Deborah Debra Denise Dennis Derek
    Derrick Desiree Destiny Devin Devon Diamond Diana Diane Dillon Dominic Don Donald Donna
    Doris Dorothy Dorothée Douglas Drew Duane Dustin Dwayne Dylan Earl Ebony Eddie Edgar Eduardo
    Edward Edwin Eileen Elaine Elijah Elizabeth Ellen Emily Emma Emmanuel Emmanuelle Eric Erica
    Erik Erika Erin Ernest Ethan Eugene Eugène Evan Evelyn Felicia Fernando Frances Francis
    Francisco Franck Franklin François Françoise Fred Frederick Frédéric Frédérique Gabriel
    Gabriela Gabriella Gabrielle Gail Garrett Gary Gavin Geneviève Geoffrey George Georges
    Gerald Gilbert Gilles Gina Glen Glenda Glenn Gloria Gordon Greg Gregg Gregory Grégoire
    Guillaume Gwendolyn Gérard Hailey Haley Hannah Harold Harry Hayden Hayley Heather Hector
    Heidi Helen Henri Henriette Henry Herbert Holly Honoré Hortense Howard Hugues Hunter Hélène
    Ian Inès Isaac Isabel Isabella Isabelle Isaiah Ivan Jack Jackie Jackson Jaclyn Jacob
    Jacqueline Jacques Jade Jaime Jake James Jamie Jane Janet Janice Jared Jasmin Jasmine Jason
    Javier Jay Jean Jeanette Jeanne Jeannine Jeff Jeffery Jeffrey Jenna Jennifer Jenny Jeremiah
    Jeremy Jermaine Jerome Jerry Jesse Jessica Jesus Jill Jillian Jim Jimmy Joan Joann Joanna
    Joanne Jocelyn Jodi Jody Joe Joel John Johnathan Johnny Jon Jonathan Jonathon Jorge Jose
    Joseph Josette Joshua Joséphine Joyce Juan Judith Judy Jules Julia Julian Julie Julien
    Juliette Justin Jérôme Kaitlin Kaitlyn Kara Karen Kari Karina Karl Karla Katelyn Katherine
    Kathleen Kathryn Kathy Katie Katrina Kayla Kaylee Keith Kelli Kellie Kelly Kelsey Kendra
    Kenneth Kent Kerri Kerry Kevin Kiara Kim Kimberly Kirk Kirsten Krista Kristen Kristi Kristie
    Kristin Kristina Kristine Kristopher Kristy Krystal Kurt Kyle Kylie Lacey Laetitia Lance
    Larry Latasha Latoya Laura Laure Lauren Laurence Laurie Lawrence Leah Lee Leon Leonard Leroy
    Leslie Levi Linda Lindsay Lindsey Lisa Logan Lonnie Loretta Lori Lorraine Louis Louise Luc
    Lucas Luce Lucie Lucy Luis Luke Lydia Lynn Léon Mackenzie Madeleine Madeline Madison Maggie
    Makayla Malik Mallory Mandy Manon Manuel Marc Marcel Marcelle Marcia Marco Marcus Margaret
    Margaud Margaux Margot Marguerite Maria Mariah Marianne Marie Marilyn Marine Mario Marisa
    Marissa Martha Marthe Martine Marvin Mary Maryse Mason Mathew Mathilde Matthew Matthieu
    Maureen Maurice Max Maxwell Mckenzie Meagan Megan Meghan Melanie Melinda Melissa Melody
    Melvin Mercedes Meredith Mia Michael Michaela Micheal Michel Michele Michelle Michèle Miguel
    Mikayla Mike Mindy Miranda Misty Mitchell Molly Monica Monique Morgan Nancy Natalie Natasha
    Nath Nathalie Nathan Nathaniel Neil Nicholas Nichole Nicolas Nicole Nina Noah Norma Norman
    Noémi Océane Odette Olivia Olivie Olivier Omar Oscar Paige Pam Pamela Parker Patricia
    Patrick Patty Paul Paula Paulette Pauline Pedro Peggy Penny Perry Peter Philip Philippe
    Philippine Phillip Phyllis Preston Priscilla Pénélope Rachael Rachel Ralph Randall Randy
    Raven Ray Raymond Rebecca Rebekah Regina Reginald Renee Renée Rhonda Ricardo Richard Rick
    Rickey Ricky Riley Rita Roberta Roberto Robin Robyn Rodney Roger Roland Ronald Ronnie Ross
    Ruben Russell Ruth Ryan Rémy Sabine Sabrina Sally Samantha Samuel Sandra Sandy Sara Sarah
    Savannah Scott Sean Selena Sergio Seth Shane Shannon Shari Sharon Shaun Shawn Shawna Sheena
    Sheila Shelby Shelia Shelley Shelly Sheri Sherri Sherry Sheryl Shirley Sierra Simone Sonia
    Sonya Sophia Sophie Spencer Stacey Stacie Stacy Stanley Stefanie Stephanie Stephen Steve
    Steven Stuart Stéphane Stéphanie Sue Susan Susanne Suzanne Sydney Sylvia Sylvie Sébastien
    Tabitha Tamara Tami Tammie Tammy Tanner Tanya Tara Tasha Taylor Teresa Terrance Terrence
    Terri Terry Theodore Theresa Thibault Thibaut Thierry Théodore Théophile Thérèse Tiffany Tim
    Timothy Timothée Tina Todd Tom Tommy Toni Tony Tonya Tracey Traci Tracie Tracy Travis Trevor
    Tricia Tristan Troy Tyler Tyrone Valentine Valerie Valérie Vanessa Vernon Veronica Vicki
    Vickie Victor Victoria Virginia Virginie Véronique Walter Wanda Warren Wayne Wendy Wesley
    Whitney William Willie Wyatt Xavier Yesenia Yolanda Yves Yvette Yvonne Zacharie Zachary Zoe
    Zoé Édith Édouard Élisabeth Élise Élodie Éléonore Émile Émilie Éric Étienne
    """.split()
)
